/**
 * Complementary learning systems: teacher, notebook (hippocampus) and student (neocortex) of Sun, Advani, Spruston,
 * Saxe & Fitzgerald, "Organizing memories for generalization in complementary learning systems", Nature Neuroscience
 * 26 (2023).
 */
export * from './params.ts';
export * from './teacher.ts';
export * from './encoding.ts';
export * from './notebook.ts';
export * from './sdm-notebook.ts';
export * from './student.ts';
export * from './replay.ts';
export * from './run.ts';
