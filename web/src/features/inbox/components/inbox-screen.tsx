import { useEffect, useId, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';

import { Page } from '@/components/layouts/page';
import { LogoMark } from '@/components/ui/icons';
import { deviceInboxPath, paths } from '@/config/paths';
import type { DeviceStatus } from '@/gql/graphql';
import { useDebouncedValue } from '@/lib/use-debounced-value';
import { useNow } from '@/lib/use-now';

import { useChatUpdates } from '../api/chats';
import { useInboxDeviceEvents, useInboxDevices } from '../api/devices';
import { useMessageUpdates } from '../api/messages';
import { chatSearchTerm } from '../utils/chat';
import { deviceLabel, deviceNotice, deviceStatusWord } from '../utils/device';
import { rememberInboxDevice } from '../utils/last-device';
import { CHAT_RULE, ChatList } from './chat-list';
import { ChatView } from './chat-view';
import { LockIcon, NewChatIcon, SearchIcon } from './inbox-icons';
import styles from './inbox.module.css';
import { NewChatDialog } from './new-chat-dialog';
import { KEEP_RULE } from './thread';

export type InboxScreenProps = {
  deviceId: string;
  /** The viewer's time zone, for every time shown. */
  timeZone: string;
};

type DeviceFacts = { id: string; name: string; phone?: string | null; status: DeviceStatus };

/**
 * WhatsApp Web for one device: its recent chats on the left (search, unread counts, newest
 * first), the open chat on the right (`?chat=<jid>`). Everything follows the device live.
 */
export function InboxScreen({ deviceId, timeZone }: InboxScreenProps) {
  useMessageUpdates(deviceId);
  useChatUpdates(deviceId);
  useInboxDeviceEvents(deviceId);
  const [{ data: devicesData }] = useInboxDevices();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const chatJid = params.get('chat');
  const [searchText, setSearchText] = useState('');
  const search = useDebouncedValue(chatSearchTerm(searchText), 300);
  const [newChat, setNewChat] = useState(false);
  const now = useNow(60_000);
  const searchId = useId();
  const deviceSelectId = useId();

  useEffect(() => rememberInboxDevice(deviceId), [deviceId]);

  const devices: DeviceFacts[] = (devicesData?.devices.nodes ?? []).filter(
    (device) => device.phone || device.id === deviceId,
  );
  const device = devices.find((candidate) => candidate.id === deviceId) ?? null;
  const notice = device ? deviceNotice(device.name, device.status) : null;

  return (
    <Page title="Inbox" description="Your chats, live: reply as you would in WhatsApp Web.">
      <div className={[styles.inbox, chatJid ? styles.inboxChatOpen : ''].join(' ')}>
        <section className={styles.side} aria-label="Chat list">
          <header className={styles.sideHeader}>
            <label className="visually-hidden" htmlFor={deviceSelectId}>
              Device
            </label>
            <select
              id={deviceSelectId}
              className={styles.deviceSelect}
              value={deviceId}
              onChange={(event) => void navigate(deviceInboxPath(event.target.value))}
            >
              {device ? null : <option value={deviceId}>Loading devices…</option>}
              {devices.map((option) => {
                const word = deviceStatusWord(option.status);
                return (
                  <option key={option.id} value={option.id}>
                    {word ? `${deviceLabel(option)} (${word})` : deviceLabel(option)}
                  </option>
                );
              })}
            </select>
            <button
              type="button"
              className={styles.iconButton}
              aria-label="New chat"
              title="New chat"
              onClick={() => setNewChat(true)}
            >
              <NewChatIcon />
            </button>
          </header>
          <div className={styles.searchBar} role="search" aria-label="Chats">
            <label className={styles.searchBox} htmlFor={searchId}>
              <SearchIcon className={styles.searchIcon} />
              <span className="visually-hidden">Search chats</span>
              <input
                id={searchId}
                className={styles.searchInput}
                type="search"
                placeholder="Search name or number"
                value={searchText}
                onChange={(event) => setSearchText(event.target.value)}
              />
            </label>
          </div>
          {notice ? (
            <p className={styles.deviceNotice} role="status">
              {notice}{' '}
              {device?.status === 'LOGGED_OUT' || device?.status === 'PAIRING' ? (
                <Link to={paths.devices}>Open Devices</Link>
              ) : null}
            </p>
          ) : null}
          <ChatList
            key={`${deviceId}\u0000${search}`}
            deviceId={deviceId}
            search={search}
            selectedJid={chatJid}
            timeZone={timeZone}
            now={now}
          />
        </section>
        <div className={styles.main}>
          {chatJid ? (
            <ChatView
              key={`${deviceId}\u0000${chatJid}`}
              deviceId={deviceId}
              chatJid={chatJid}
              timeZone={timeZone}
            />
          ) : (
            <Welcome deviceName={device ? deviceLabel(device) : null} />
          )}
        </div>
      </div>
      {newChat ? (
        <NewChatDialog
          deviceId={deviceId}
          deviceName={device?.name ?? 'this device'}
          onClose={() => setNewChat(false)}
          onStarted={(jid) => {
            setNewChat(false);
            void navigate({ search: `?chat=${encodeURIComponent(jid)}` });
          }}
        />
      ) : null}
    </Page>
  );
}

/** The right pane before a chat is open, like WhatsApp Web's intro. */
function Welcome({ deviceName }: { deviceName: string | null }) {
  return (
    <section className={styles.welcome} aria-label="No chat open">
      <LogoMark width={72} height={72} />
      <h2 className={styles.welcomeTitle}>wafleet Inbox</h2>
      <p className={styles.welcomeText}>
        {deviceName ? `Chats of ${deviceName}. ` : ''}Pick a chat on the left to read it and reply,
        or start a new one with any number.
      </p>
      <p className={styles.welcomeRules}>
        <LockIcon /> {CHAT_RULE} {KEEP_RULE}
      </p>
    </section>
  );
}
