/* Boot proof of the PLIC and virtio-rng drivers. */
#ifndef KS_SELFTEST_VIRTIO_H
#define KS_SELFTEST_VIRTIO_H

/**
 * Probe virtio, read the rng through its interrupt and compare the bytes with the file
 * QEMU reads (embedded in the image). Prints "SELFTEST: virtio-rng ok ..." on success;
 * on any failure prints "SELFTEST: FAIL virtio-rng <what>" and powers off with failure.
 * Run it on hart `hartid` while no other code touches the PLIC, the rng or the SBI timer.
 */
void ks_selftest_virtio_rng(unsigned long hartid);

#endif
