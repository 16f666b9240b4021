export const paths = {
  home: '/',
  login: '/login',
  signUp: '/signup',
  settings: '/settings',
} as const;
