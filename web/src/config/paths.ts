export const paths = {
  home: '/',
  login: '/login',
  signUp: '/signup',
  devices: '/devices',
  outbox: '/outbox',
  settings: '/settings',
} as const;
