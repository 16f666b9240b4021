import { Link } from 'react-router';

import { Page } from '@/components/layouts/page';
import { Card } from '@/components/ui/card';
import { paths } from '@/config/paths';
import { useViewer } from '@/features/auth/api/viewer';

import styles from './home.module.css';

const areas = [
  {
    title: 'Devices',
    to: paths.devices,
    text: 'Pair WhatsApp numbers by QR code or pairing code and watch their health live.',
  },
  {
    title: 'Inbox',
    to: paths.inbox,
    text: 'Read and answer the recent personal chats of every device, like WhatsApp Web.',
  },
  {
    title: 'Waiting for a reply',
    to: paths.waiting,
    text: 'Every chat of every device whose contact waits for an answer, longest waiting first.',
  },
  {
    title: 'Outbox',
    to: paths.outbox,
    text: 'Every message wafleet sends, with its live status, errors and retries.',
  },
];

export function HomeRoute() {
  const [{ data }] = useViewer();
  const name = data?.me.fullName ?? '';

  return (
    <Page
      title={`Welcome, ${name}`}
      description="This is your wafleet dashboard for running a fleet of WhatsApp devices."
    >
      <Card title="Where to go">
        <ul className={styles.grid}>
          {areas.map((area) => (
            <li key={area.title} className={styles.tile}>
              <Link to={area.to} className={styles.tileLink}>
                <h3 className={styles.tileTitle}>{area.title}</h3>
                <p className={styles.tileText}>{area.text}</p>
              </Link>
            </li>
          ))}
        </ul>
      </Card>
      <p className={styles.hint}>
        Set your time zone and create API tokens in <Link to={paths.settings}>Settings</Link>.
      </p>
    </Page>
  );
}
