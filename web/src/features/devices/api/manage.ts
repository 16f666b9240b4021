import { useMutation } from 'urql';

import { graphql } from '@/gql';

export const UpdateDeviceMutation = graphql(`
  mutation UpdateDevice($id: ID!, $input: UpdateDeviceInput!) {
    updateDevice(id: $id, input: $input) {
      id
      ...DeviceCard
    }
  }
`);

export const ReconnectDeviceMutation = graphql(`
  mutation ReconnectDevice($id: ID!) {
    reconnectDevice(id: $id) {
      id
      ...DeviceCard
    }
  }
`);

export const LogOutDeviceMutation = graphql(`
  mutation LogOutDevice($id: ID!) {
    logOutDevice(id: $id) {
      id
      ...DeviceCard
    }
  }
`);

export const DeleteDeviceMutation = graphql(`
  mutation DeleteDevice($id: ID!) {
    deleteDevice(id: $id) {
      deviceId
      chats
      messages
      leads
      outbox
    }
  }
`);

export function useUpdateDevice() {
  return useMutation(UpdateDeviceMutation);
}

export function useReconnectDevice() {
  return useMutation(ReconnectDeviceMutation);
}

export function useLogOutDevice() {
  return useMutation(LogOutDeviceMutation);
}

export function useDeleteDevice() {
  return useMutation(DeleteDeviceMutation);
}
