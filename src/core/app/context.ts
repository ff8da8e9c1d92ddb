import type { FaceIdentity } from '../evaluate/faceIdentity';
import type { FileHasher } from '../fs/files';
import type { StudioServices } from './services';

/** What every use case works on: the data folder and the services built from the settings. */
export interface StudioContext {
  dataRoot: string;
  services: StudioServices;
  /** Hashes remembered across calls (the editor keeps one for the window). */
  hasher?: FileHasher;
  /** One face engine shared across calls (its models take seconds to load). */
  faces?: () => Promise<FaceIdentity>;
}
