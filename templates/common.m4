m4_dnl common.m4: helpers every template may use (read after defs.m4, before a template).
m4_dnl mm_forloop(FROM, TO, MACRO): MACRO(FROM) MACRO(FROM+1) ... MACRO(TO-1).
m4_define([[mm_forloop]], [[m4_ifelse(m4_eval([[$1 < $2]]), 1, [[$3($1)mm_forloop(m4_incr($1), [[$2]], [[$3]])]])]])m4_dnl
m4_dnl MM_LAYER_OFF(L, FIELD): byte offset in the blob of FIELD (LN1_W, QKV_W, ...) of layer L.
m4_define([[MM_LAYER_OFF]], [[m4_eval(MM_OFF_LAYER0 + $1 * MM_LAYER_STRIDE + MM_LOFF_$2)]])m4_dnl
