import { useEffect } from 'react';
import { Link } from 'react-router';

import { useChatByJid } from '../api/chats';
import { useMarkChatRead } from '../api/send';
import { chatTitle } from '../utils/chat';
import { Avatar } from './avatar';
import { Composer } from './composer';
import { ArrowDownIcon } from './inbox-icons';
import styles from './inbox.module.css';
import { OptOutButton } from './opt-out-button';
import { Thread } from './thread';

export type ChatViewProps = {
  deviceId: string;
  chatJid: string;
  timeZone: string;
};

/** The open chat: who it is with, the thread, and the composer. Opening it marks it read. */
export function ChatView({ deviceId, chatJid, timeZone }: ChatViewProps) {
  const chat = useChatByJid(deviceId, chatJid);
  const [, markRead] = useMarkChatRead();
  const title = chatTitle(chat ?? { jid: chatJid, phone: phoneOf(chatJid) });
  const phone = chat?.phone ?? phoneOf(chatJid);
  const unread = chat?.unreadCount ?? 0;

  // Read while open: on opening, and again whenever a new message makes it unread.
  useEffect(() => {
    if (unread > 0) void markRead({ deviceId, chatJid });
  }, [deviceId, chatJid, unread, markRead]);

  return (
    <section className={styles.chat} aria-label={`Chat with ${title}`}>
      <header className={styles.chatHeader}>
        <Link to={{ search: '' }} className={styles.back} aria-label="Back to chats">
          <ArrowDownIcon className={styles.backIcon} />
        </Link>
        <Avatar name={chat?.name} colourKey={chatJid} size="small" />
        <div className={styles.chatHeading}>
          <h2 className={styles.chatTitle}>{title}</h2>
          {phone && phone !== title ? <p className={styles.chatSubtitle}>{phone}</p> : null}
        </div>
        {phone ? <OptOutButton phone={phone} contactName={title} /> : null}
      </header>
      <Thread deviceId={deviceId} chatJid={chatJid} contactName={title} timeZone={timeZone} />
      <Composer deviceId={deviceId} chatJid={chatJid} contactName={title} />
    </section>
  );
}

/** `+60123456789` from `60123456789@s.whatsapp.net`; null for other JIDs. */
function phoneOf(jid: string): string | null {
  const [user, server] = jid.split('@');
  return server === 's.whatsapp.net' && user && /^\d+$/.test(user) ? `+${user}` : null;
}
