/* version.h - the compsight version. */
#ifndef COMPSIGHT_VERSION_H
#define COMPSIGHT_VERSION_H
#define CS_VERSION "0.1.0"
#endif
