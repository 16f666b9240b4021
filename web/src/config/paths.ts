export const paths = {
  home: '/',
  login: '/login',
  signUp: '/signup',
  devices: '/devices',
  settings: '/settings',
} as const;
