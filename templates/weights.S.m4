MM_FRONT_MATTER_ASM
/* weights.S: the packed weights (src/weights.bin, written by mmcc: MM_BLOB_BYTES bytes)
 * embedded read-only and 64-byte aligned. Its own archive member; the one global symbol
 * is prefixed like every global symbol of the library. */
	.section .rodata.mm_weights,"a"
	.balign 64
	.globl MM_ID[[]]_weights_blob_
	.type MM_ID[[]]_weights_blob_, %object
MM_ID[[]]_weights_blob_:
	.incbin "src/weights.bin"
	.size MM_ID[[]]_weights_blob_, . - MM_ID[[]]_weights_blob_
	.section .note.GNU-stack,"",%progbits
