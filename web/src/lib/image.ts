/** The pictures WhatsApp (and the server) accept, and how large they may be. */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const MAX_IMAGE_BYTES = 16 * 1024 * 1024;

/** Why `file` cannot go out as a campaign's or a step's image, in plain words; null when it can. */
export function imageProblem(file: Pick<File, 'name' | 'type' | 'size'>): string | null {
  if (!(IMAGE_TYPES as readonly string[]).includes(file.type)) {
    return `“${file.name}” is not a picture that can be sent. Choose a JPEG, PNG or WebP image.`;
  }
  if (file.size === 0) return `“${file.name}” is empty. Choose another picture.`;
  if (file.size > MAX_IMAGE_BYTES)
    return `“${file.name}” is larger than 16 MB. Choose a smaller picture.`;
  return null;
}
