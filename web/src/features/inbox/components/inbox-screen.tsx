import { useEffect, useId, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';

import { DevicePicker } from '@/components/device-picker/device-picker';
import { Page } from '@/components/layouts/page';
import { LogoMark } from '@/components/ui/icons';
import { deviceInboxPath, paths } from '@/config/paths';
import { deviceLabel } from '@/lib/device-summary';
import { useDebouncedValue } from '@/lib/use-debounced-value';
import { useNow } from '@/lib/use-now';

import { useChatUpdates } from '../api/chats';
import { useInboxDevice, useInboxDeviceEvents } from '../api/devices';
import { useMessageUpdates } from '../api/messages';
import { chatSearchTerm } from '../utils/chat';
import { deviceNotice } from '../utils/device';
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

/**
 * WhatsApp Web for one device: its recent chats on the left (search, unread counts, newest
 * first), the open chat on the right (`?chat=<jid>`). Everything follows the device live.
 */
export function InboxScreen({ deviceId, timeZone }: InboxScreenProps) {
  useMessageUpdates(deviceId);
  useChatUpdates(deviceId);
  useInboxDeviceEvents(deviceId);
  const { device } = useInboxDevice(deviceId);
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const chatJid = params.get('chat');
  const [searchText, setSearchText] = useState('');
  const search = useDebouncedValue(chatSearchTerm(searchText), 300);
  const [newChat, setNewChat] = useState(false);
  const now = useNow(60_000);
  const searchId = useId();

  useEffect(() => rememberInboxDevice(deviceId), [deviceId]);

  // Escape closes the open chat, as in WhatsApp Web, unless something over it takes the key (a
  // dialog, the photo preview, an open list).
  useEffect(() => {
    if (!chatJid) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      if (document.querySelector('[aria-modal="true"]')) return;
      void navigate({ search: '' });
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [chatJid, navigate]);

  const notice = device ? deviceNotice(device.name, device.status) : null;

  return (
    <Page title="Inbox" fill>
      <div className={styles.inboxRoom}>
        <div className={[styles.inbox, chatJid ? styles.inboxChatOpen : ''].join(' ')}>
          <section className={styles.side} aria-label="Chat list">
            <header className={styles.sideHeader}>
              <DevicePicker
                label="Device"
                labelHidden
                className={styles.devicePicker}
                value={deviceId}
                onChange={(id) => {
                  if (id) void navigate(deviceInboxPath(id));
                }}
              />
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
                {device?.status === 'LOGGED_OUT' ||
                device?.status === 'PAIRING' ||
                device?.status === 'FAILED' ? (
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
