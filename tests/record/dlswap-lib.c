/* dlswap-lib.c: the two libraries of dlswap.c, one source built with
 * -DDLSWAP_VARIANT=1 and 2: the same layout (so the loader can put the
 * second where the first was), other code in dlswap_answer. */
#if DLSWAP_VARIANT == 1
int
dlswap_answer (int x)
{
  return x + 10;
}
#else
int
dlswap_answer (int x)
{
  int sum = 0;

  for (int i = 0; i < x; i++)
    sum += i + 1;
  return sum;
}
#endif
