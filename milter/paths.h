/* milter/paths.h - made by make from configure's paths */
#define SYSCONFDIR "/usr/local/etc"
