/** The pictures WhatsApp (and the server) accept, and how large they may be. */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const MAX_IMAGE_BYTES = 16 * 1024 * 1024;

/** `1.5 MB`, `340 KB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** Why `file` cannot be sent as an image, in plain words; null when it can. */
export function imageProblem(file: Pick<File, 'name' | 'type' | 'size'>): string | null {
  if (!(IMAGE_TYPES as readonly string[]).includes(file.type)) {
    return `“${file.name}” is not a picture that can be sent. Choose a JPEG, PNG or WebP image.`;
  }
  if (file.size === 0) return `“${file.name}” is empty. Choose another picture.`;
  if (file.size > MAX_IMAGE_BYTES) {
    return `“${file.name}” is ${formatBytes(file.size)}; pictures can be at most ${formatBytes(MAX_IMAGE_BYTES)}.`;
  }
  return null;
}
