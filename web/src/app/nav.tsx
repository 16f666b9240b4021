import type { NavEntry } from '@/components/layouts/app-frame';
import {
  BlockIcon,
  ClockIcon,
  DevicesIcon,
  HomeIcon,
  InboxIcon,
  MegaphoneIcon,
  OutboxIcon,
  SettingsIcon,
  SparkIcon,
  StepsIcon,
  UsersIcon,
} from '@/components/ui/icons';
import { paths } from '@/config/paths';

/** The app's navigation; each area adds its entry here when its screens exist. */
export const navEntries: readonly NavEntry[] = [
  { to: paths.home, label: 'Home', icon: <HomeIcon />, end: true },
  // A device's inbox lives under /devices/:deviceId/inbox, which is the Inbox entry's.
  { to: paths.devices, label: 'Devices', icon: <DevicesIcon />, end: true },
  {
    to: paths.inbox,
    label: 'Inbox',
    icon: <InboxIcon />,
    activeFor: [paths.inbox, paths.deviceInbox],
  },
  { to: paths.waiting, label: 'Waiting', icon: <ClockIcon /> },
  { to: paths.outbox, label: 'Outbox', icon: <OutboxIcon /> },
  { to: paths.campaigns, label: 'Campaigns', icon: <MegaphoneIcon /> },
  { to: paths.sequences, label: 'Sequences', icon: <StepsIcon /> },
  { to: paths.leads, label: 'Leads', icon: <UsersIcon /> },
  { to: paths.aiLeads, label: 'AI leads', icon: <SparkIcon /> },
  { to: paths.optOuts, label: 'Opt-outs', icon: <BlockIcon /> },
  { to: paths.settings, label: 'Settings', icon: <SettingsIcon /> },
];
