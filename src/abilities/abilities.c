/*
 * The demo abilities of manifests/abilities.json: one image, the behaviour chosen by the
 * task's name (appmgrd names each task after its ability).
 *
 *   hello     reports ready and exits when asked to stop
 *   crasher   reports ready, executes an illegal instruction after a sleep of CRASH_AFTER_MS
 *             (rounded up to its timer slack)
 *   spinner   reports ready and spins (in the background, over its CPU budget)
 *   sleepy    never reports ready (its start timeout fires); exits when asked to stop
 *   stubborn  reports ready and ignores stop (its stop timeout forces the kill)
 *   storm-<k> (the fault lane) like crasher, but crashes on the next STORM_EVERY_MS boundary,
 *             so every storm ability started together crashes at the same instant
 *   dozer     reports ready and exits when asked to stop, like hello, but starts in the
 *             background with spinner's CPU budget: asleep, it stays far below it
 *   slowpoke  spins SLOW_START_BURSTS bursts (about 15 ms of CPU) before it reports ready:
 *             more than its start timeout of 60 ms gives it while a foreground hog leaves
 *             the background class its quota of a single hart (the starved start, faults)
 *
 * Each waits in rounds of WAIT_MS up to WAIT_ROUNDS, then exits on its own.
 *
 * Variants for updates (docs/ota.md), built into bundles, never into the kernel: built with
 * NX_ABILITY_VERSION=<n>, an ability prints "<name>: ready version <n>" once appmgrd took its
 * ready; built with NX_ABILITY_CRASH_AT_START as well, every ability executes an illegal
 * instruction first thing, before it reports ready. The image built into the kernel is
 * version 1 and prints no version.
 */
#include <stdio.h>
#include <string.h>

#include "ulib/sys.h"
#include "runtime.h"

#define CRASH_AFTER_MS 100
#define STORM_EVERY_MS 100
#define WAIT_MS 1000
#define WAIT_ROUNDS 3600
/* The spinner looks for a stop after each burst of SPIN_BURST nx_spin() turns (0.1 ms). */
#define SPIN_BURST 3125
#define SPIN_ROUNDS 1000000
#define SLOW_START_BURSTS 150

/* Wait for stop; `ignore`: say so and go on waiting. */
static int wait_stop(const char *name, int ignore)
{
	for (unsigned round = 0; round < WAIT_ROUNDS; round++) {
		if (!ab_wait_stop(nx_now_ms() + WAIT_MS))
			continue;
		if (!ignore)
			return 0;
		printf("%s: stop ignored\n", name);
	}
	return 0;
}

static int spin(void)
{
	for (unsigned round = 0; round < SPIN_ROUNDS; round++) {
		nx_spin(SPIN_BURST);
		if (ab_wait_stop(NX_DEADLINE_NOW))
			return 0;
	}
	return 0;
}

int main(void)
{
#ifdef NX_ABILITY_CRASH_AT_START
	__asm__ volatile(".word 0");
#endif
	struct ab_rt rt;
	if (ab_init(&rt) != 0)
		return 2;
	const char *name = rt.def->name;
	if (strcmp(name, "sleepy") == 0)
		return wait_stop(name, 0);
	if (strcmp(name, "slowpoke") == 0) {
		for (unsigned burst = 0; burst < SLOW_START_BURSTS; burst++)
			nx_spin(SPIN_BURST);
	}
	if (ab_ready(&rt) != 0)
		return 1;
#ifdef NX_ABILITY_VERSION
	printf("%s: ready version %u\n", name, (unsigned)NX_ABILITY_VERSION);
#endif
	if (strcmp(name, "crasher") == 0 || strncmp(name, "storm-", 6) == 0) {
		const uint64_t now = nx_now_ms();
		(void)nx_sleep_until(name[0] == 'c' ? now + CRASH_AFTER_MS : (now / STORM_EVERY_MS + 1) * STORM_EVERY_MS);
		__asm__ volatile(".word 0");
		return 2; /* the illegal instruction did not end the task */
	}
	if (strcmp(name, "spinner") == 0)
		return spin();
	return wait_stop(name, strcmp(name, "stubborn") == 0);
}
