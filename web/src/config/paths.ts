export const paths = {
  home: '/',
  login: '/login',
  signUp: '/signup',
  devices: '/devices',
  outbox: '/outbox',
  inbox: '/inbox',
  deviceInbox: '/devices/:deviceId/inbox',
  waiting: '/waiting',
  leads: '/leads',
  aiLeads: '/ai-leads',
  optOuts: '/opt-outs',
  campaigns: '/campaigns',
  campaign: '/campaigns/:campaignId',
  sequences: '/sequences',
  newSequence: '/sequences/new',
  sequence: '/sequences/:sequenceId',
  editSequence: '/sequences/:sequenceId/edit',
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

/** One sequence's page (`paths.sequence` filled in). */
export function sequencePath(sequenceId: string): string {
  return `/sequences/${encodeURIComponent(sequenceId)}`;
}

/** The editor of one sequence (`paths.editSequence` filled in). */
export function editSequencePath(sequenceId: string): string {
  return `/sequences/${encodeURIComponent(sequenceId)}/edit`;
}
