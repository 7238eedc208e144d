dnl md_flags.m4 - probe compiler and linker flags
dnl
dnl MD_CHECK_CFLAG(FLAG, [ACTION-IF-OK], [ACTION-IF-NOT])
dnl   Compile an empty program with FLAG (and -Werror, so a flag the
dnl   compiler only warns about counts as unsupported).
AC_DEFUN([MD_CHECK_CFLAG], [
	AS_VAR_PUSHDEF([md_var], [md_cv_cflag_$1])
	AC_CACHE_CHECK([whether $CC accepts $1], [md_var], [
		md_save_CFLAGS=$CFLAGS
		CFLAGS="$CFLAGS -Werror $1"
		AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
			[AS_VAR_SET([md_var], [yes])], [AS_VAR_SET([md_var], [no])])
		CFLAGS=$md_save_CFLAGS])
	AS_VAR_IF([md_var], [yes], [$2], [$3])
	AS_VAR_POPDEF([md_var])
])

dnl MD_CHECK_LDFLAG(FLAG, [ACTION-IF-OK], [ACTION-IF-NOT])
dnl   Link an empty program with FLAG in both CFLAGS and LDFLAGS.
AC_DEFUN([MD_CHECK_LDFLAG], [
	AS_VAR_PUSHDEF([md_var], [md_cv_ldflag_$1])
	AC_CACHE_CHECK([whether $CC links with $1], [md_var], [
		md_save_CFLAGS=$CFLAGS
		md_save_LDFLAGS=$LDFLAGS
		CFLAGS="$CFLAGS $1"
		LDFLAGS="$LDFLAGS $1"
		AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
			[AS_VAR_SET([md_var], [yes])], [AS_VAR_SET([md_var], [no])])
		CFLAGS=$md_save_CFLAGS
		LDFLAGS=$md_save_LDFLAGS])
	AS_VAR_IF([md_var], [yes], [$2], [$3])
	AS_VAR_POPDEF([md_var])
])
