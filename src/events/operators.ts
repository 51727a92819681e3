export { ofType } from './of-type';
export { ofPattern } from './of-pattern';
