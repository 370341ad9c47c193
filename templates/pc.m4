# MM_ID.pc: pkg-config file for lib[[]]MM_ID.a (MM_NAME), written by mmcc MM_VERSION.
# The library directory is this file's directory.
prefix=${pcfiledir}
includedir=${prefix}
libdir=${prefix}

Name: MM_ID
Description: MM_NAME compiled by mmcc (MM_TARGET_NAME)
Version: MM_VERSION
Cflags: -I${includedir}
Libs: -L${libdir} -l[[]]MM_ID
Libs.private: -lm -lpthread
