import styles from './audience.module.css';

/** A row's tags as small chips. */
export function TagChips({ tags }: { tags: readonly string[] }) {
  if (tags.length === 0) return <span className={styles.muted}>No tags</span>;
  return (
    <ul className={styles.tags} aria-label="Tags">
      {tags.map((tag) => (
        <li key={tag} className={styles.tag}>
          {tag}
        </li>
      ))}
    </ul>
  );
}
