export const paths = {
  home: '/',
  login: '/login',
  signUp: '/signup',
  devices: '/devices',
  outbox: '/outbox',
  inbox: '/inbox',
  deviceInbox: '/devices/:deviceId/inbox',
  leads: '/leads',
  aiLeads: '/ai-leads',
  optOuts: '/opt-outs',
  settings: '/settings',
} as const;

/** The inbox of one device (`paths.deviceInbox` filled in). */
export function deviceInboxPath(deviceId: string): string {
  return `/devices/${encodeURIComponent(deviceId)}/inbox`;
}
