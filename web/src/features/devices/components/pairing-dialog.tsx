import { useState, type FormEvent } from 'react';

import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';
import { TextField } from '@/components/ui/field';
import { CheckCircleIcon } from '@/components/ui/icons';
import { Spinner } from '@/components/ui/spinner';
import { getFragmentData } from '@/gql';
import type { PairingDeviceFragment as PairingDeviceData } from '@/gql/graphql';
import { errorMessage } from '@/lib/errors';
import { formatCountdown } from '@/lib/format';
import { formText } from '@/lib/form-data';
import { useNow } from '@/lib/use-now';

import { useReconnectDevice } from '../api/manage';
import {
  PairingDeviceFragment,
  usePairingDevice,
  usePairingEvents,
  useRequestPairingCode,
} from '../api/pairing';
import { formatPairingCode } from '../utils/pairing-code';
import { asSentence, statusLabel, statusNote, statusTone } from '../utils/status';
import styles from './devices.module.css';
import { QrCodeImage } from './qr-code-image';

export type PairingDialogProps = {
  deviceId: string;
  timeZone: string;
  onClose: () => void;
};

/** Links a device to WhatsApp: a live QR code, or a pairing code for a phone number. */
export function PairingDialog({ deviceId, timeZone, onClose }: PairingDialogProps) {
  const [{ data, error }] = usePairingDevice(deviceId);
  const { lastError } = usePairingEvents(deviceId);
  const device = getFragmentData(PairingDeviceFragment, data?.device);

  let title = 'Link a device';
  let body;
  if (device) {
    if (device.status === 'ONLINE') {
      title = `“${device.name}” is connected`;
      body = <Connected device={device} onDone={onClose} />;
    } else if (device.status === 'PAIRING') {
      title = `Link “${device.name}” to WhatsApp`;
      body = <Pairing device={device} lastError={lastError} />;
    } else {
      title = `“${device.name}” is not connected`;
      body = <OtherStatus device={device} timeZone={timeZone} />;
    }
  } else if (data) {
    body = <p>This device no longer exists.</p>;
  } else if (error) {
    body = <ErrorMessage message={errorMessage(error)} />;
  } else {
    body = <Spinner />;
  }

  return (
    <Dialog open title={title} size="wide" onClose={onClose}>
      {body}
    </Dialog>
  );
}

function Pairing({ device, lastError }: { device: PairingDeviceData; lastError: string | null }) {
  const [mode, setMode] = useState<'qr' | 'phone'>('qr');
  return (
    <>
      {mode === 'qr' ? (
        <QrPairing device={device} onUsePhone={() => setMode('phone')} />
      ) : (
        <PhonePairing device={device} onUseQr={() => setMode('qr')} />
      )}
      {/* The same words already stand in the QR code's place. */}
      <ErrorMessage
        message={lastError === device.statusReason ? null : lastError}
        className={styles.pairingError}
      />
    </>
  );
}

/** How long a click on "Get a new QR code" shows "getting one" before offering it again. */
const RENEW_PATIENCE_MS = 15_000;

function QrPairing({ device, onUsePhone }: { device: PairingDeviceData; onUsePhone: () => void }) {
  const now = useNow(1000);
  const [reconnectState, reconnect] = useReconnectDevice();
  const [renewRequestedAt, setRenewRequestedAt] = useState<number | null>(null);
  const qr = device.qrCode;
  const remaining = qr ? Date.parse(qr.expiresAt) - now : 0;
  const renewing =
    reconnectState.fetching ||
    (renewRequestedAt !== null && now - renewRequestedAt < RENEW_PATIENCE_MS);
  const expired = !qr && device.qrExpired && !renewing;
  // No code, and a reason that is not an expiry: the server cannot reach WhatsApp at all.
  const unreachable = !qr && !device.qrExpired && !!device.statusReason && !renewing;

  const renew = async () => {
    setRenewRequestedAt(Date.now());
    const result = await reconnect({ id: device.id });
    if (result.error) setRenewRequestedAt(null);
  };

  let frame;
  if (qr) {
    const stale = remaining <= 0;
    frame = (
      <>
        <QrCodeImage
          value={qr.code}
          label={`QR code to link “${device.name}”`}
          className={[styles.qrImage, stale ? styles.qrStale : ''].join(' ')}
        />
        {stale ? (
          <div className={styles.qrOverlay}>
            <Spinner label="Getting a new code…" />
          </div>
        ) : null}
      </>
    );
  } else if (expired) {
    frame = (
      <div className={styles.qrOverlay}>
        <p>The QR code expired.</p>
        <Button onClick={() => void renew()} busy={reconnectState.fetching}>
          Get a new QR code
        </Button>
      </div>
    );
  } else if (unreachable) {
    frame = (
      <div className={[styles.qrOverlay, styles.qrProblem].join(' ')} role="alert">
        <p className={styles.qrProblemTitle}>No QR code: WhatsApp cannot be reached</p>
        <p className={styles.qrProblemText}>{asSentence(device.statusReason)}</p>
        <Button onClick={() => void renew()} busy={reconnectState.fetching}>
          Try again
        </Button>
      </div>
    );
  } else {
    frame = <Spinner label="Getting a QR code…" />;
  }

  return (
    <div className={styles.pairing}>
      <div className={styles.qrColumn}>
        <div className={styles.qrFrame}>{frame}</div>
        {qr && remaining > 0 ? (
          <p className={styles.countdown}>Expires in {formatCountdown(remaining)}</p>
        ) : null}
        <ErrorMessage message={errorMessage(reconnectState.error)} />
      </div>
      <div className={styles.instructions}>
        <h3 className={styles.instructionsTitle}>Scan the code with WhatsApp</h3>
        <ol className={styles.steps}>
          <li>Open WhatsApp on your phone.</li>
          <li>
            Go to <strong>Settings</strong> (on Android: <strong>⋮</strong> menu) →{' '}
            <strong>Linked devices</strong>.
          </li>
          <li>
            Tap <strong>Link a device</strong>.
          </li>
          <li>Point the phone at this screen to scan the code.</li>
        </ol>
        <p className={styles.countdown}>
          For your security the code changes about every 20 seconds; this page always shows the
          current one.
        </p>
        <div className={styles.alternative}>
          <p className={styles.alternativeText}>Can’t scan? Link it with the phone number.</p>
          <Button variant="secondary" onClick={onUsePhone}>
            Link with phone number instead
          </Button>
        </div>
      </div>
    </div>
  );
}

type ShownCode = { code: string; expiresAt: string; phone: string };

function PhonePairing({ device, onUseQr }: { device: PairingDeviceData; onUseQr: () => void }) {
  const now = useNow(1000);
  const [{ fetching, error }, requestPairingCode] = useRequestPairingCode();
  const [shown, setShown] = useState<ShownCode | null>(null);
  const [phoneError, setPhoneError] = useState<string | null>(null);

  const request = async (phone: string) => {
    const result = await requestPairingCode({ deviceId: device.id, phone });
    if (result.data) setShown({ ...result.data.requestPairingCode, phone });
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const phone = formText(new FormData(event.currentTarget), 'phone').trim();
    if (!phone) {
      setPhoneError('Enter the phone number, with the country code.');
      return;
    }
    setPhoneError(null);
    await request(phone);
  };

  const remaining = shown ? Date.parse(shown.expiresAt) - now : 0;

  return (
    <div className={styles.instructions}>
      {shown ? (
        <>
          <p>On the phone with the number {shown.phone}, enter this code:</p>
          <p className={styles.code} aria-label={`Pairing code ${formatPairingCode(shown.code)}`}>
            {formatPairingCode(shown.code)}
          </p>
          <p className={styles.countdown}>
            {remaining > 0
              ? `Expires in ${formatCountdown(remaining)}`
              : 'This code expired. Ask for a new one.'}
          </p>
          <ol className={styles.steps}>
            <li>Open WhatsApp on that phone.</li>
            <li>
              Go to <strong>Settings</strong> → <strong>Linked devices</strong> →{' '}
              <strong>Link a device</strong>.
            </li>
            <li>
              Tap <strong>Link with phone number instead</strong> and type the code above.
            </li>
          </ol>
          <div className={styles.codeActions}>
            <Button variant="secondary" onClick={() => void request(shown.phone)} busy={fetching}>
              Get a new code
            </Button>
            <Button variant="ghost" onClick={() => setShown(null)}>
              Use another number
            </Button>
          </div>
          <ErrorMessage message={errorMessage(error)} />
        </>
      ) : (
        <form className={styles.phoneForm} onSubmit={(event) => void onSubmit(event)} noValidate>
          <h3 className={styles.instructionsTitle}>Link with phone number</h3>
          <p className={styles.alternativeText}>
            WhatsApp gives you an 8-character code to type on the phone instead of scanning.
          </p>
          <div className={styles.phoneRow}>
            <TextField
              label="Phone number"
              name="phone"
              type="tel"
              autoComplete="tel"
              placeholder="+60 12-345 6789"
              hint="The number of the phone with WhatsApp, with the country code."
              error={phoneError}
            />
            <Button type="submit" busy={fetching}>
              Get pairing code
            </Button>
          </div>
          <ErrorMessage message={errorMessage(error)} />
        </form>
      )}
      <div className={styles.alternative}>
        <Button variant="ghost" onClick={onUseQr}>
          ← Use a QR code instead
        </Button>
      </div>
    </div>
  );
}

function Connected({ device, onDone }: { device: PairingDeviceData; onDone: () => void }) {
  return (
    <div className={styles.success}>
      <CheckCircleIcon width={56} height={56} className={styles.successIcon} />
      <h3 className={styles.successTitle}>Linked to WhatsApp</h3>
      <p className={styles.successText}>
        “{device.name}” is online as{' '}
        <span className={styles.successPhone}>{device.phone ?? 'your number'}</span> and ready to
        send and receive messages.
      </p>
      <Button onClick={onDone}>Done</Button>
    </div>
  );
}

function OtherStatus({ device, timeZone }: { device: PairingDeviceData; timeZone: string }) {
  const [{ fetching, error }, reconnect] = useReconnectDevice();
  const note = statusNote(device, timeZone);
  return (
    <div className={styles.statusPanel}>
      <Badge tone={statusTone(device.status)}>{statusLabel(device.status)}</Badge>
      {note ? <p>{note.text}</p> : null}
      <Button onClick={() => void reconnect({ id: device.id })} busy={fetching}>
        {device.status === 'LOGGED_OUT' ? 'Pair again' : 'Reconnect'}
      </Button>
      <ErrorMessage message={errorMessage(error)} />
    </div>
  );
}
