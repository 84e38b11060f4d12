/** Non-SDM readers of the shared key/value pattern set: softmax attention, classic and modern Hopfield networks. */
export * from './patterns.ts';
export * from './attention.ts';
export * from './hopfield.ts';
export * from './modern-hopfield.ts';
