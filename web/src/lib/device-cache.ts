import type { Cache } from '@urql/exchange-graphcache';

import { graphql } from '@/gql';
import type {
  CachedDeviceListQuery,
  CachedDeviceListQueryVariables,
  DeviceSummaryFragment as DeviceSummary,
} from '@/gql/graphql';

import { DeviceSummaryFragment } from './device-summary';

/**
 * How the cached device lists follow additions and deletions. Each page of `devices(...)` is
 * cached on its own (its arguments are the key); a device's own fields are normalised, so status
 * changes reach every list without help. Only list membership and `totalCount` need care here.
 */

const DeviceListQuery = graphql(`
  query CachedDeviceList($first: Int, $after: String, $status: DeviceStatus, $search: String) {
    devices(first: $first, after: $after, status: $status, search: $search) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        createdAt
        ...DeviceSummary
      }
    }
  }
`);

const DeviceQrCodeFragment = graphql(`
  fragment CachedDeviceQrCode on Device {
    id
    qrCode {
      code
      expiresAt
    }
  }
`);

/** What the filters look at. */
export type DeviceFacts = {
  name: string;
  phone?: string | null;
  status: string;
};

export type DeviceListArgs = CachedDeviceListQueryVariables;

/** Whether the server would list `device` for these filters (mirrors its search). */
export function matchesDeviceFilter(device: DeviceFacts, args: DeviceListArgs): boolean {
  if (args.status && device.status !== args.status) return false;
  const search = (args.search ?? '').trim().toLowerCase().replace(/[%_]/g, '');
  if (!search) return true;
  return device.name.toLowerCase().includes(search) || (device.phone ?? '').includes(search);
}

type CachedPage = { args: DeviceListArgs; data: CachedDeviceListQuery };

/**
 * The cached lists, each as its pages in order (first page, then the page after its end
 * cursor, …). Pages of one list differ only in `after`.
 */
function cachedLists(cache: Cache): CachedPage[][] {
  const groups = new Map<string, CachedPage[]>();
  for (const field of cache.inspectFields('Query')) {
    if (field.fieldName !== 'devices') continue;
    const args = (field.arguments ?? {}) as DeviceListArgs;
    const data = cache.readQuery({ query: DeviceListQuery, variables: args });
    if (!data) continue;
    const key = JSON.stringify([args.first ?? null, args.status ?? null, args.search ?? null]);
    groups.set(key, [...(groups.get(key) ?? []), { args, data }]);
  }
  return [...groups.values()].map((pages) => {
    const ordered: CachedPage[] = [];
    let next = pages.find((page) => page.args.after == null);
    while (next && !ordered.includes(next)) {
      ordered.push(next);
      const cursor = next.data.devices.pageInfo.endCursor;
      next = cursor ? pages.find((page) => page.args.after === cursor) : undefined;
    }
    return ordered;
  });
}

function writePage(
  cache: Cache,
  page: CachedPage,
  devices: Partial<CachedPage['data']['devices']>,
) {
  cache.updateQuery({ query: DeviceListQuery, variables: page.args }, (data) =>
    data ? { ...data, devices: { ...data.devices, ...devices } } : data,
  );
}

type CachedNode = CachedDeviceListQuery['devices']['nodes'][number];

function readDevice(cache: Cache, id: string): DeviceSummary | null {
  return cache.readFragment(DeviceSummaryFragment, { __typename: 'Device', id });
}

// Deletions arrive twice (the mutation's answer and the DELETED event); count them once.
const deletedDevices = new Set<string>();

/**
 * A device the lists may be missing (just added, or its earlier events were missed, or it now
 * matches a filter): put it in place (lists are newest first) on the loaded page whose range
 * covers it, and count it. A device older than everything loaded waits for "Load more".
 */
export function addDeviceToLists(cache: Cache, id: string) {
  if (deletedDevices.has(id)) return;
  const device = readDevice(cache, id);
  if (!device) return;
  const createdAt = Date.parse(device.createdAt);
  for (const pages of cachedLists(cache)) {
    const first = pages[0];
    if (!first || first.args.first === 0 || !matchesDeviceFilter(device, first.args)) continue;
    if (pages.some((page) => page.data.devices.nodes.some((node) => node.id === id))) continue;
    const target = pages.find(({ data: { devices } }) => {
      const last = devices.nodes[devices.nodes.length - 1];
      return !devices.pageInfo.hasNextPage || (!!last && Date.parse(last.createdAt) < createdAt);
    });
    if (!target) continue;
    const nodes = target.data.devices.nodes;
    const at = nodes.findIndex((node) => Date.parse(node.createdAt) < createdAt);
    const position = at === -1 ? nodes.length : at;
    // The cached node is the device's own record: its fields are the fragment's.
    const node = device as unknown as CachedNode;
    writePage(cache, target, {
      nodes: [...nodes.slice(0, position), node, ...nodes.slice(position)],
    });
    for (const page of pages) {
      writePage(cache, page, { totalCount: page.data.devices.totalCount + 1 });
    }
  }
}

/** A deleted device: gone from every cached page, and counted out of the lists it was in. */
export function removeDeviceFromLists(cache: Cache, id: string) {
  if (deletedDevices.has(id)) return;
  deletedDevices.add(id);
  const device = readDevice(cache, id);
  for (const pages of cachedLists(cache)) {
    const first = pages[0];
    if (!first) continue;
    const holder = pages.find((page) => page.data.devices.nodes.some((node) => node.id === id));
    // Not on a loaded page, but matching: it is on a page not loaded yet, and in the total.
    const counted = !!holder || (device !== null && matchesDeviceFilter(device, first.args));
    if (!counted) continue;
    if (holder) {
      writePage(cache, holder, {
        nodes: holder.data.devices.nodes.filter((node) => node.id !== id),
      });
    }
    for (const page of pages) {
      writePage(cache, page, { totalCount: Math.max(0, page.data.devices.totalCount - 1) });
    }
  }
}

export type QrCodeValue = { code: string; expiresAt: string };

/** Stores the QR code a device shows now (null once it shows none). */
export function writeDeviceQrCode(cache: Cache, id: string, qrCode: QrCodeValue | null) {
  // Graphcache needs each object's __typename, which the generated type leaves out.
  const data = {
    __typename: 'Device',
    id,
    qrCode: qrCode ? { __typename: 'QrCode', ...qrCode } : null,
  };
  cache.writeFragment(DeviceQrCodeFragment, data);
}

type DeviceEventResult = {
  kind?: string;
  qrCode?: QrCodeValue | null;
  device?: { id?: string; status?: string } | null;
};

/** What one `deviceEvents` message changes beyond the device's own fields. */
export function applyDeviceEvent(cache: Cache, event: DeviceEventResult | null | undefined) {
  const id = event?.device?.id;
  if (!event || !id) return;
  if (event.kind === 'DELETED') {
    removeDeviceFromLists(cache, id);
    return;
  }
  if (event.kind === 'QR_CODE' && event.qrCode) writeDeviceQrCode(cache, id, event.qrCode);
  if (event.kind === 'STATUS' && event.device?.status && event.device.status !== 'PAIRING') {
    writeDeviceQrCode(cache, id, null);
  }
  addDeviceToLists(cache, id);
}
