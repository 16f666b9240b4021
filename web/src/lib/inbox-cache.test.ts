import {
  Client,
  makeResult,
  type Exchange,
  type Operation,
  type OperationResult,
} from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { Kind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { filter, fromValue, makeSubject, mergeMap, pipe, subscribe } from 'wonka';

import { graphql } from '@/gql';

import { cacheOptions } from './urql-cache';

const ChatsQuery = graphql(`
  query TestInboxChats($deviceId: ID!, $first: Int!, $after: String, $search: String) {
    chats(deviceId: $deviceId, first: $first, after: $after, search: $search) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        jid
        name
        lastMessageAt
        unreadCount
      }
    }
  }
`);

const ChatUpdated = graphql(`
  subscription TestInboxChatUpdated($deviceId: ID!) {
    chatUpdated(deviceId: $deviceId) {
      id
      jid
      name
      lastMessageAt
      unreadCount
    }
  }
`);

const MessagesQuery = graphql(`
  query TestInboxMessages($deviceId: ID!, $chatJid: String!, $last: Int!, $before: String) {
    messages(deviceId: $deviceId, chatJid: $chatJid, last: $last, before: $before) {
      pageInfo {
        hasPreviousPage
        startCursor
      }
      nodes {
        id
        chatJid
        timestamp
        status
      }
    }
  }
`);

const MessageAdded = graphql(`
  subscription TestInboxMessageAdded($deviceId: ID!) {
    messageAdded(deviceId: $deviceId) {
      id
      chatJid
      timestamp
      status
    }
  }
`);

const MessageUpdated = graphql(`
  subscription TestInboxMessageUpdated($deviceId: ID!) {
    messageUpdated(deviceId: $deviceId) {
      id
      chatJid
      timestamp
      status
    }
  }
`);

const SendMessage = graphql(`
  mutation TestInboxSendMessage($input: SendMessageInput!) {
    sendMessage(input: $input) {
      id
      chatJid
      timestamp
      status
    }
  }
`);

const DEVICE = 'd1';
const AISHA = '601@s.whatsapp.net';
const BEN = '602@s.whatsapp.net';

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

const chat = (id: string, jid: string, name: string, at: string, unreadCount = 0) => ({
  __typename: 'Chat' as const,
  id,
  jid,
  name,
  lastMessageAt: at,
  unreadCount,
});

const message = (id: string, chatJid: string, timestamp: string, status: string | null = null) => ({
  __typename: 'Message' as const,
  id,
  chatJid,
  timestamp,
  status,
});

function rootField(operation: Operation): string | undefined {
  for (const definition of operation.query.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const [field] = definition.selectionSet.selections;
    if (field?.kind === Kind.FIELD) return field.name.value;
  }
  return undefined;
}

/** The real cache behind a client whose "server" answers from `answers` and sends `events`. */
function setUp() {
  const answers = new Map<string, Record<string, unknown>>();
  const events = makeSubject<{ field: string; data: Record<string, unknown> }>();
  const server: Exchange = () => (operations$) =>
    pipe(
      operations$,
      filter((operation: Operation) => operation.kind !== 'teardown'),
      mergeMap((operation: Operation) =>
        operation.kind === 'subscription'
          ? pipe(
              events.source,
              filter((event) => event.field === rootField(operation)),
              mergeMap(({ data }) => fromValue<OperationResult>(makeResult(operation, { data }))),
            )
          : fromValue(
              makeResult(operation, {
                data: answers.get(`${rootField(operation)}:${JSON.stringify(operation.variables)}`),
              }),
            ),
      ),
    );
  const client = new Client({ url: '/graphql', exchanges: [cacheExchange(cacheOptions), server] });
  for (const subscription of [ChatUpdated, MessageAdded, MessageUpdated]) {
    pipe(
      client.subscription(subscription, { deviceId: DEVICE }),
      subscribe(() => undefined),
    );
  }

  const chatsArgs = (search: string | null = null, after: string | null = null) => ({
    deviceId: DEVICE,
    first: 2,
    after,
    search,
  });
  const writeChats = async (
    args: ReturnType<typeof chatsArgs>,
    nodes: ReturnType<typeof chat>[],
    next: string | null = null,
  ) => {
    answers.set(`chats:${JSON.stringify(args)}`, {
      chats: {
        __typename: 'ChatConnection',
        pageInfo: { __typename: 'PageInfo', hasNextPage: next !== null, endCursor: next },
        nodes,
      },
    });
    await client.query(ChatsQuery, args).toPromise();
  };
  const readChats = (args: ReturnType<typeof chatsArgs>) =>
    client.readQuery(ChatsQuery, args)?.data?.chats.nodes.map((node) => node.name);

  const threadArgs = (chatJid: string, before: string | null = null) => ({
    deviceId: DEVICE,
    chatJid,
    last: 20,
    before,
  });
  const writeThread = async (
    args: ReturnType<typeof threadArgs>,
    nodes: ReturnType<typeof message>[],
  ) => {
    answers.set(`messages:${JSON.stringify(args)}`, {
      messages: {
        __typename: 'MessageConnection',
        pageInfo: { __typename: 'PageInfo', hasPreviousPage: false, startCursor: null },
        nodes,
      },
    });
    await client.query(MessagesQuery, args).toPromise();
  };
  const readThread = (args: ReturnType<typeof threadArgs>) =>
    client
      .readQuery(MessagesQuery, args)
      ?.data?.messages.nodes.map((node) => `${node.id}${node.status ? `:${node.status}` : ''}`);

  const send = (field: string, data: unknown) => events.next({ field, data: { [field]: data } });

  return {
    client,
    answers,
    writeChats,
    readChats,
    chatsArgs,
    writeThread,
    readThread,
    threadArgs,
    send,
  };
}

describe('the chat list in the cache', () => {
  it('moves a chat with a new message to the top, and adds a new chat once', async () => {
    const { writeChats, readChats, chatsArgs, send } = setUp();
    await writeChats(chatsArgs(), [
      chat('2', BEN, 'Ben', minutesAgo(10)),
      chat('1', AISHA, 'Aisha', minutesAgo(60)),
    ]);

    send('chatUpdated', chat('1', AISHA, 'Aisha', minutesAgo(0), 1));
    expect(readChats(chatsArgs())).toEqual(['Aisha', 'Ben']);

    send('chatUpdated', chat('3', '603@s.whatsapp.net', 'Chen', minutesAgo(0)));
    send('chatUpdated', chat('3', '603@s.whatsapp.net', 'Chen', minutesAgo(0)));
    expect(readChats(chatsArgs())).toEqual(['Chen', 'Aisha', 'Ben']);
  });

  it('puts the chat that changed last on top when two change within the same second', async () => {
    const { writeChats, readChats, chatsArgs, send } = setUp();
    await writeChats(chatsArgs(), [
      chat('2', BEN, 'Ben', minutesAgo(10)),
      chat('1', AISHA, 'Aisha', minutesAgo(60)),
    ]);
    const second = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();

    send('chatUpdated', chat('2', BEN, 'Ben', second, 1));
    send('chatUpdated', chat('1', AISHA, 'Aisha', second));
    expect(readChats(chatsArgs())).toEqual(['Aisha', 'Ben']);
    send('chatUpdated', chat('2', BEN, 'Ben', second, 2));
    expect(readChats(chatsArgs())).toEqual(['Ben', 'Aisha']);
  });

  it('keeps a chat that moved up out of the later page it was on', async () => {
    const { writeChats, readChats, chatsArgs, send } = setUp();
    await writeChats(
      chatsArgs(),
      [
        chat('3', '603@s.whatsapp.net', 'Chen', minutesAgo(5)),
        chat('2', BEN, 'Ben', minutesAgo(10)),
      ],
      'page-2',
    );
    await writeChats(chatsArgs(null, 'page-2'), [chat('1', AISHA, 'Aisha', minutesAgo(60))]);

    send('chatUpdated', chat('1', AISHA, 'Aisha', minutesAgo(0)));

    expect(readChats(chatsArgs())).toEqual(['Aisha', 'Chen', 'Ben']);
    expect(readChats(chatsArgs(null, 'page-2'))).toEqual([]);
  });

  it('adds chats only to the searches they match, and not when they are too old', async () => {
    const { writeChats, readChats, chatsArgs, send } = setUp();
    await writeChats(chatsArgs('ben'), []);
    await writeChats(chatsArgs('601'), []);
    await writeChats(chatsArgs(), []);

    send('chatUpdated', chat('1', AISHA, 'Aisha', minutesAgo(1)));
    send('chatUpdated', chat('2', BEN, 'Ben Lim', minutesAgo(2)));
    send('chatUpdated', chat('9', '609@s.whatsapp.net', 'Old', minutesAgo(31 * 24 * 60)));

    expect(readChats(chatsArgs('ben'))).toEqual(['Ben Lim']);
    expect(readChats(chatsArgs('601'))).toEqual(['Aisha']);
    expect(readChats(chatsArgs())).toEqual(['Aisha', 'Ben Lim']);
  });
});

describe('threads in the cache', () => {
  it('gain new messages in order, once, in the newest page of their own chat only', async () => {
    const { client, writeThread, readThread, threadArgs, send, answers } = setUp();
    await writeThread(threadArgs(AISHA), [
      message('1', AISHA, minutesAgo(30)),
      message('2', AISHA, minutesAgo(20)),
    ]);
    await writeThread(threadArgs(AISHA, 'older'), [message('0', AISHA, minutesAgo(90))]);
    await writeThread(threadArgs(BEN), []);

    send('messageAdded', message('5', AISHA, minutesAgo(0)));
    // History arriving late lands where its time puts it.
    send('messageAdded', message('4', AISHA, minutesAgo(25)));

    // Our reply: the mutation's answer and the event both bring it.
    const reply = message('6', AISHA, minutesAgo(0), 'PENDING');
    answers.set(
      `sendMessage:${JSON.stringify({ input: { deviceId: DEVICE, chatJid: AISHA, text: 'hi' } })}`,
      { sendMessage: reply },
    );
    await client
      .mutation(SendMessage, { input: { deviceId: DEVICE, chatJid: AISHA, text: 'hi' } })
      .toPromise();
    send('messageAdded', reply);

    expect(readThread(threadArgs(AISHA))).toEqual(['1', '4', '2', '5', '6:PENDING']);
    expect(readThread(threadArgs(AISHA, 'older'))).toEqual(['0']);
    expect(readThread(threadArgs(BEN))).toEqual([]);
  });

  it('never step a message back to PENDING when the send’s answer comes after its SENT', async () => {
    const { client, writeThread, readThread, threadArgs, send, answers } = setUp();
    await writeThread(threadArgs(AISHA), [message('1', AISHA, minutesAgo(30))]);
    const input = { deviceId: DEVICE, chatJid: AISHA, text: 'quick' };
    answers.set(`sendMessage:${JSON.stringify({ input })}`, {
      sendMessage: message('7', AISHA, minutesAgo(0), 'PENDING'),
    });

    send('messageAdded', message('7', AISHA, minutesAgo(0), 'PENDING'));
    send('messageUpdated', message('7', AISHA, minutesAgo(0), 'SENT'));
    await client.mutation(SendMessage, { input }).toPromise();
    expect(readThread(threadArgs(AISHA))).toEqual(['1', '7:SENT']);

    send('messageUpdated', message('7', AISHA, minutesAgo(0), 'READ'));
    expect(readThread(threadArgs(AISHA))).toEqual(['1', '7:READ']);
  });
});
