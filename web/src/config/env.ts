export const env = {
  productName: 'wafleet',
  graphqlPath: '/graphql',
  graphqlWsPath: '/graphql/ws',
  passwordMinLength: 10,
} as const;
