import type { NavEntry } from '@/components/layouts/app-frame';
import { DevicesIcon, HomeIcon, OutboxIcon, SettingsIcon } from '@/components/ui/icons';
import { paths } from '@/config/paths';

/** The app's navigation; each area adds its entry here when its screens exist. */
export const navEntries: readonly NavEntry[] = [
  { to: paths.home, label: 'Home', icon: <HomeIcon />, end: true },
  { to: paths.devices, label: 'Devices', icon: <DevicesIcon /> },
  { to: paths.outbox, label: 'Outbox', icon: <OutboxIcon /> },
  { to: paths.settings, label: 'Settings', icon: <SettingsIcon /> },
];
