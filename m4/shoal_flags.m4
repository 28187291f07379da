# shoal_flags.m4: compiler and linker flag probes.
#
# SHOAL_CHECK_CFLAG(FLAG, VARIABLE)
#   Appends FLAG to VARIABLE when the C compiler accepts it with -Werror.
# SHOAL_CHECK_LDFLAG(FLAG, VARIABLE)
#   Appends FLAG to VARIABLE when the linker accepts it.

AC_DEFUN([SHOAL_CHECK_CFLAG], [
	AS_VAR_PUSHDEF([shoal_cv], [shoal_cv_cflag_$1])
	AC_CACHE_CHECK([whether $CC accepts $1], [shoal_cv], [
		shoal_save_CFLAGS="$CFLAGS"
		CFLAGS="$CFLAGS -Werror $1"
		AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [return 0;])],
		    [AS_VAR_SET([shoal_cv], [yes])],
		    [AS_VAR_SET([shoal_cv], [no])])
		CFLAGS="$shoal_save_CFLAGS"])
	AS_VAR_IF([shoal_cv], [yes], [$2="$$2 $1"])
	AS_VAR_POPDEF([shoal_cv])
])

AC_DEFUN([SHOAL_CHECK_LDFLAG], [
	AS_VAR_PUSHDEF([shoal_cv], [shoal_cv_ldflag_$1])
	AC_CACHE_CHECK([whether the linker accepts $1], [shoal_cv], [
		shoal_save_LDFLAGS="$LDFLAGS"
		LDFLAGS="$LDFLAGS -Werror $1"
		AC_LINK_IFELSE([AC_LANG_PROGRAM([], [return 0;])],
		    [AS_VAR_SET([shoal_cv], [yes])],
		    [AS_VAR_SET([shoal_cv], [no])])
		LDFLAGS="$shoal_save_LDFLAGS"])
	AS_VAR_IF([shoal_cv], [yes], [$2="$$2 $1"])
	AS_VAR_POPDEF([shoal_cv])
])
