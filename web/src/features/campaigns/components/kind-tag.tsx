import styles from './campaigns.module.css';

/** The small "AI" beside an AI campaign's title or status (a broadcast has none). */
export function AiTag() {
  return (
    <span className={styles.kindTag} title="AI campaign">
      AI<span className="visually-hidden"> campaign</span>
    </span>
  );
}
