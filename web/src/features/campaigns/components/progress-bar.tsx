import type { CampaignCounts } from '../utils/model';
import { progressFraction, progressSummary } from '../utils/status';

import styles from './progress-bar.module.css';

/** How far a campaign is, as a bar and a line of counts (read out as a progressbar). */
export function CampaignProgressBar({ counts, label }: { counts: CampaignCounts; label: string }) {
  const fraction = progressFraction(counts);
  const summary = progressSummary(counts);
  return (
    <div className={styles.wrap}>
      <div
        className={styles.track}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fraction * 100)}
        aria-valuetext={summary}
      >
        <div className={styles.fill} style={{ width: `${fraction * 100}%` }} />
      </div>
      <span className={styles.summary}>{summary}</span>
    </div>
  );
}
