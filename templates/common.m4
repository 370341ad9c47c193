m4_dnl common.m4: helpers every template may use (read after defs.m4, before a template).
m4_dnl mm_forloop(FROM, TO, MACRO): MACRO(FROM) MACRO(FROM+1) ... MACRO(TO-1).
m4_define([[mm_forloop]], [[m4_ifelse(m4_eval([[$1 < $2]]), 1, [[$3($1)mm_forloop(m4_incr($1), [[$2]], [[$3]])]])]])m4_dnl
