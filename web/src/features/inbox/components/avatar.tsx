import { avatarHue, initials } from '../utils/chat';
import { PersonIcon } from './inbox-icons';
import styles from './inbox.module.css';

export type AvatarProps = {
  name?: string | null;
  /** What the colour is derived from (the chat's JID), so a contact keeps its colour. */
  colourKey: string;
  size?: 'normal' | 'small';
};

/** A contact's round picture: initials of the name, or WhatsApp's grey person without one. */
export function Avatar({ name, colourKey, size = 'normal' }: AvatarProps) {
  const letters = initials(name);
  const classes = [styles.avatar, size === 'small' ? styles.avatarSmall : ''];
  if (!letters) {
    return (
      <span className={classes.join(' ')} aria-hidden="true">
        <PersonIcon width="100%" height="100%" />
      </span>
    );
  }
  return (
    <span
      className={[...classes, styles[`avatarHue${avatarHue(colourKey)}`]].join(' ')}
      aria-hidden="true"
    >
      {letters}
    </span>
  );
}
