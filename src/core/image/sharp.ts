import type SharpModule from 'sharp';
import { markLoaded } from '../lazyModules';

/**
 * The one door to sharp. It loads on first use, never at activation, and keeping every image
 * call behind this module leaves one place to switch to a fallback (the wasm build or a child
 * process) where sharp's native build clashes with Electron's GLib on Linux desktops.
 */
let loading: Promise<typeof SharpModule> | undefined;

export function loadSharp(): Promise<typeof SharpModule> {
  loading ??= import('sharp').then((module) => {
    markLoaded('sharp');
    return (module as unknown as { default?: typeof SharpModule }).default ?? (module as unknown as typeof SharpModule);
  });
  return loading;
}
