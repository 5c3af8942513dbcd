"""Known-correct (and deliberately wrong) programs for the bundled examples and three dev LeetCode problems.

Written by us for the tests; used to check that the examples' expected outputs are right and that the hidden
tests of the LeetCode set grade through the sandbox.
"""

SUM_TWO = """
a, b = map(int, input().split())
print(a + b)
"""

SUM_TWO_WRONG = """
a, b = map(int, input().split())
print((a + b + 2**31) % 2**32 - 2**31)  # 32-bit overflow: right on small inputs only
"""

BALANCED_BRACKETS = """
import sys

def balanced(s):
    pairs = {")": "(", "]": "[", "}": "{"}
    stack = []
    for ch in s:
        if ch in "([{":
            stack.append(ch)
        elif not stack or stack.pop() != pairs[ch]:
            return False
    return not stack

lines = sys.stdin.read().split("\\n")
t = int(lines[0])
for i in range(1, t + 1):
    print("YES" if balanced(lines[i].strip()) else "NO")
"""

MAX_SUBARRAY = """
import sys

data = sys.stdin.read().split()
n = int(data[0])
best = cur = None
for x in map(int, data[1:1 + n]):
    cur = x if cur is None or cur < 0 else cur + x
    best = cur if best is None else max(best, cur)
print(best)
"""

TWO_SUM = """
class Solution:
    def twoSum(self, nums: list[int], target: int) -> list[int]:
        seen = {}
        for j, x in enumerate(nums):
            if target - x in seen:
                return [seen[target - x], j]
            seen[x] = j
        return []
"""

MERGE_INTERVALS = """
class Solution:
    def merge(self, intervals: list[list[int]]) -> list[list[int]]:
        merged = []
        for start, end in sorted(intervals):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        return merged
"""

COUNT_ISLANDS = """
class Solution:
    def numIslands(self, grid: list[list[str]]) -> int:
        rows, cols = len(grid), len(grid[0]) if grid else 0
        seen = set()
        count = 0
        for r in range(rows):
            for c in range(cols):
                if grid[r][c] == "1" and (r, c) not in seen:
                    count += 1
                    stack = [(r, c)]
                    seen.add((r, c))
                    while stack:
                        y, x = stack.pop()
                        for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                            if 0 <= ny < rows and 0 <= nx < cols and grid[ny][nx] == "1" and (ny, nx) not in seen:
                                seen.add((ny, nx))
                                stack.append((ny, nx))
        return count
"""

EXAMPLE_SOLUTIONS = {
    "sum-two": SUM_TWO,
    "balanced-brackets": BALANCED_BRACKETS,
    "max-subarray": MAX_SUBARRAY,
    "two-sum": TWO_SUM,
    "merge-intervals": MERGE_INTERVALS,
    "count-islands": COUNT_ISLANDS,
}

# Dev LeetCode problems (DeepSeek set, weekly contest 369): our own solutions.
FIND_K_OR = """
from typing import List


class Solution:
    def findKOr(self, nums: List[int], k: int) -> int:
        return sum(1 << b for b in range(32) if sum(x >> b & 1 for x in nums) >= k)
"""

MIN_SUM_AFTER_ZEROS = """
from typing import List


class Solution:
    def minSum(self, nums1: List[int], nums2: List[int]) -> int:
        s1, z1 = sum(nums1) + nums1.count(0), nums1.count(0)
        s2, z2 = sum(nums2) + nums2.count(0), nums2.count(0)
        if (s1 < s2 and z1 == 0) or (s2 < s1 and z2 == 0):
            return -1
        return max(s1, s2)
"""

FIND_K_OR_WRONG = """
from typing import List


class Solution:
    def findKOr(self, nums: List[int], k: int) -> int:
        out = 0
        for x in nums:
            out |= x
        return out
"""

MIN_INCREMENT_OPERATIONS = """
from typing import List


class Solution:
    def minIncrementOperations(self, nums: List[int], k: int) -> int:
        a = b = c = 0  # best cost with the last raised element 3, 2, 1 positions back
        for x in nums:
            a, b, c = b, c, min(a, b, c) + max(0, k - x)
        return min(a, b, c)
"""
