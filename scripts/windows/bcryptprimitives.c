/* bcryptprimitives.c — a stand-in for Windows' bcryptprimitives.dll, for
 * the Wine tests only (never shipped): Go >= 1.22 draws its randomness
 * from ProcessPrng, which Wine 8.0 does not have; real Windows 10 and 11
 * do. It forwards to RtlGenRandom (advapi32's SystemFunction036). */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
