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
  campaigns: '/campaigns',
  campaign: '/campaigns/:campaignId',
  settings: '/settings',
} as const;

/** The inbox of one device (`paths.deviceInbox` filled in). */
export function deviceInboxPath(deviceId: string): string {
  return `/devices/${encodeURIComponent(deviceId)}/inbox`;
}

/** One campaign's page (`paths.campaign` filled in). */
export function campaignPath(campaignId: string): string {
  return `/campaigns/${encodeURIComponent(campaignId)}`;
}
