const STORAGE_KEY = 'wafleet.inbox.device';

/** The device whose inbox was open last (in this browser). */
export function lastInboxDevice(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function rememberInboxDevice(deviceId: string) {
  try {
    window.localStorage.setItem(STORAGE_KEY, deviceId);
  } catch {
    // Private mode or storage full: the inbox then opens the first online device.
  }
}

type DeviceChoice = { id: string; phone?: string | null; status: string };

/**
 * The device whose inbox to open: the one open last if it is still paired, else the first online
 * one, else the first paired one; null when no device is paired.
 */
export function pickInboxDevice(
  devices: readonly DeviceChoice[],
  remembered: string | null,
): string | null {
  const paired = devices.filter((device) => device.phone);
  return (
    paired.find((device) => device.id === remembered)?.id ??
    paired.find((device) => device.status === 'ONLINE')?.id ??
    paired[0]?.id ??
    null
  );
}
