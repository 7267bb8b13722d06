// The blog's first async code (post 12): `async fn async_number() -> u32 { 42 }` and a task that
// awaits it and prints the result. example_task's future is 8 bytes (state, the u32, the inner
// future's state): Box::pin allocates that much.
import { println } from '../vga_buffer.js';
import { asyncFn, type Future } from './mod.js';

/** `async fn async_number() -> u32 { 42 }`: ready on its first poll. */
export function* async_number(): Future<number> {
  return 42;
}

/** `async fn example_task() { let number = async_number().await; println!(..) }` */
export const example_task = asyncFn('blog_os::example_task', 8, function* (): Future<void> {
  const number = yield* async_number();
  println(`async number: ${number}`);
});
