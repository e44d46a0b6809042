// The container engine and test image of the container-env tests. CI provides both
// (.ci/run: containers/podman-engine.sh, then containers/build-env-image.sh); a test file that
// finds either missing FAILS, saying how to set it up. A developer without an engine may skip
// these files explicitly with EVALPOOL_SKIP_CONTAINER_TESTS=1 (a test switch, not configuration).
import { DockerEngine } from '../../src/envs/container/docker-engine.ts';

/** The engine socket the tests use, passed to the config explicitly (EVALPOOL_DOCKER_SOCKET). */
export const TEST_DOCKER_SOCKET = '/run/evalpool-podman.sock';
/**
 * The test env image (containers/build-env-image.sh). EVALPOOL_TEST_ENV_IMAGE names another
 * build (a test switch, like the one below): an engineer testing a change of the image builds it
 * under a tag of their own while others' tests keep using `:dev`.
 */
export const TEST_ENV_IMAGE = process.env.EVALPOOL_TEST_ENV_IMAGE ?? 'localhost/evalpool-env-mujoco:dev';

/**
 * The test double of an affinetes image (containers/env-affinetes-double/, built by containers/build-
 * env-image.sh); EVALPOOL_TEST_AFFINETES_DOUBLE_IMAGE as above.
 */
export const TEST_AFFINETES_DOUBLE_IMAGE =
  process.env.EVALPOOL_TEST_AFFINETES_DOUBLE_IMAGE ?? 'localhost/evalpool-env-affinetes-double:dev';

/** `skip` option of the container test suites: set only when the developer asked for it. */
export const SKIP_CONTAINER_TESTS: string | false =
  process.env.EVALPOOL_SKIP_CONTAINER_TESTS === '1'
    ? 'EVALPOOL_SKIP_CONTAINER_TESTS=1: container environment tests skipped on request'
    : false;

const SETUP =
  'Set it up with `containers/podman-engine.sh && containers/build-env-image.sh && containers/build-env-image.sh localhost/evalpool-env-affinetes-double:dev containers/env-affinetes-double/server.ts` (as root; .ci/run does all), or skip these tests explicitly with EVALPOOL_SKIP_CONTAINER_TESTS=1.';

/** Throws, loudly and with the fix, unless the engine answers on the test socket and has the test image (or `image`). */
export async function requireEngineAndImage(image = TEST_ENV_IMAGE): Promise<void> {
  const engine = new DockerEngine({ socketPath: TEST_DOCKER_SOCKET, callTimeoutMs: 5_000 });
  try {
    try {
      await engine.ping();
    } catch (error) {
      throw new Error(
        `CONTAINER TESTS CANNOT RUN: no container engine answers on ${TEST_DOCKER_SOCKET} (${(error as Error).message}). ${SETUP}`,
        { cause: error },
      );
    }
    if (!(await engine.hasImage(image)))
      throw new Error(`CONTAINER TESTS CANNOT RUN: the engine on ${TEST_DOCKER_SOCKET} has no image ${image}. ${SETUP}`);
  } finally {
    engine.close();
  }
}
