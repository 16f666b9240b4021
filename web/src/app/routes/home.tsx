import { Link } from 'react-router';

import { Page } from '@/components/layouts/page';
import { Card } from '@/components/ui/card';
import { paths } from '@/config/paths';
import { useViewer } from '@/features/auth/api/viewer';

import styles from './home.module.css';

const upcoming = [
  { title: 'Devices', text: 'Pair WhatsApp numbers by QR code and watch their health.' },
  { title: 'Inbox', text: 'Read and answer every chat of every device in one place.' },
  { title: 'Campaigns', text: 'Broadcast to your leads with human-like pacing.' },
];

export function HomeRoute() {
  const [{ data }] = useViewer();
  const name = data?.me.fullName ?? '';

  return (
    <Page
      title={`Welcome, ${name}`}
      description="This is your wafleet dashboard for running a fleet of WhatsApp devices."
    >
      <Card title="What is coming">
        <p className={styles.lead}>
          Your devices, inbox and campaigns will appear here as they are added.
        </p>
        <ul className={styles.grid}>
          {upcoming.map((item) => (
            <li key={item.title} className={styles.tile}>
              <h3 className={styles.tileTitle}>{item.title}</h3>
              <p className={styles.tileText}>{item.text}</p>
            </li>
          ))}
        </ul>
      </Card>
      <p className={styles.hint}>
        Meanwhile you can set your time zone and create API tokens in{' '}
        <Link to={paths.settings}>Settings</Link>.
      </p>
    </Page>
  );
}
