# MM_ID.pc: pkg-config file for lib[[]]MM_ID.a (MM_NAME), written by mmcc MM_VERSION.
# The library directory is this file's directory.
prefix=${pcfiledir}
includedir=${prefix}
libdir=${prefix}

Name: MM_ID
Description: MM_NAME compiled by mmcc (MM_TARGET_NAME)
Version: MM_VERSION
Cflags: -I${includedir}
# The library is static only: what it needs is in Libs, so that the plain
#   cc app.c $(PKG_CONFIG_PATH=<this directory> pkg-config --cflags --libs MM_ID)
# links (no --static needed).
Libs: -L${libdir} -l[[]]MM_ID -lm -lpthread
