/*
 * Task entry. The kernel starts a task at _start with sp at the top of its stack and
 * a0 = its task id. tp points at the image's own TLS block (picolibc keeps errno there);
 * a task is single-threaded, so the template is used in place.
 */
.section .text.entry
.globl _start
_start:
	la	tp, __tls_base
	call	nx_start
1:	j	1b
