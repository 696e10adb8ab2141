/** Model artifacts as files (`marquee train --save`); the encoding is src/model/artifact.ts's. */
import { readFile, writeFile } from 'node:fs/promises';
import { decodeArtifact, encodeArtifact, type ModelArtifact } from '../model/artifact.ts';

/** Writes an artifact to a file. */
export async function saveArtifactFile(path: string, artifact: ModelArtifact): Promise<void> {
  await writeFile(path, encodeArtifact(artifact));
}

/** Reads an artifact from a file. */
export async function loadArtifactFile(path: string): Promise<ModelArtifact> {
  return decodeArtifact(await readFile(path));
}
