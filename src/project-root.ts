import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's root folder, where the shipped data (catalog, jobs, demo figures) lives: the parent of
 * this file's folder, src/ when run from the sources and dist/ when compiled.
 */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The Scheme 06 figures loaded once into a fresh database. */
export const demoDataFile = path.join(projectRoot, 'data', 'scheme06', 'figures.csv');
