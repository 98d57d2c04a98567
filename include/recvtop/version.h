/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_VERSION_H
#define RECVTOP_VERSION_H

#define RT_VERSION "0.1.0"

#endif
