import styles from './error-message.module.css';

export type ErrorMessageProps = {
  message: string | null | undefined;
  className?: string;
};

export function ErrorMessage({ message, className }: ErrorMessageProps) {
  if (!message) return null;
  return (
    <p role="alert" className={[styles.error, className ?? ''].join(' ')}>
      {message}
    </p>
  );
}
