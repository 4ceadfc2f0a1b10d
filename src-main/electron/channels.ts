/** IPC channel names shared by the main process and the preload. */
export const IPC = {
  call: 'alphanet:call',
  event: 'alphanet:event',
  pickPath: 'alphanet:pick-path',
} as const;
