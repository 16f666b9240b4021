import { ErrorMessage } from '@/components/ui/error-message';
import { errorMessage } from '@/lib/errors';

import { useAiLeadStats } from '../api/audience';
import { aiLeadStatusLabel } from '../utils/filters';
import styles from './audience.module.css';

/** The AI leads in figures: how many, by status, and the biggest tags. */
export function AiLeadStatsPanel() {
  const [{ data, error }] = useAiLeadStats();
  if (error) return <ErrorMessage message={errorMessage(error)} />;
  if (!data) return null;
  const stats = data.aiLeadStats;
  const topNiches = [...stats.byNiche].sort((a, b) => b.aiLeads - a.aiLeads).slice(0, 6);
  return (
    <section className={styles.stats} aria-label="AI lead figures">
      <dl className={styles.counts}>
        <div>
          <dt>Total</dt>
          <dd>{stats.total.toLocaleString('en-US')}</dd>
        </div>
        {stats.byStatus.map((entry) => (
          <div key={entry.status}>
            <dt>{aiLeadStatusLabel(entry.status)}</dt>
            <dd>{entry.count.toLocaleString('en-US')}</dd>
          </div>
        ))}
      </dl>
      {topNiches.length > 0 ? (
        <p className={styles.muted}>
          Biggest tags:{' '}
          {topNiches
            .map((niche) => `${niche.tag} (${niche.aiLeads.toLocaleString('en-US')})`)
            .join(', ')}
        </p>
      ) : null}
    </section>
  );
}
