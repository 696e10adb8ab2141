/** Placeholder until the command table lands; replaced in the next commit. */
export async function main(_argv: string[]): Promise<number> {
  return 0;
}
