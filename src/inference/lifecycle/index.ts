export * from './lifecycle-transitions';
export * from './lifecycle-sql';
export * from './lifecycle-diagram';
