import { useEffect, useState } from 'react';

import { getToken } from '@/lib/auth-token';

type Loaded = { url: string; src: string | null; failed: boolean };

/**
 * An image the server keeps (`/media/<ref>`), which needs the token: fetched with it and shown
 * through an object URL, released when the image is no longer shown. `src` is null while it
 * loads (and when it failed).
 */
export function useMediaImage(mediaUrl: string | null | undefined): {
  src: string | null;
  failed: boolean;
} {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  useEffect(() => {
    if (!mediaUrl) return;
    const controller = new AbortController();
    let objectUrl: string | null = null;
    const token = getToken();
    fetch(mediaUrl, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: controller.signal,
    })
      .then((response) => {
        if (!response.ok) throw new Error(`media answered ${response.status}`);
        return response.blob();
      })
      .then((blob) => {
        objectUrl = URL.createObjectURL(blob);
        setLoaded({ url: mediaUrl, src: objectUrl, failed: false });
      })
      .catch(() => {
        if (!controller.signal.aborted) setLoaded({ url: mediaUrl, src: null, failed: true });
      });
    return () => {
      controller.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [mediaUrl]);
  if (!mediaUrl || loaded?.url !== mediaUrl) return { src: null, failed: false };
  return { src: loaded.src, failed: loaded.failed };
}
